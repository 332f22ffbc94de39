// Buttons shown by the button codes of GET /auth/me: `<Can code="users:create">...</Can>` keeps
// its content out of the page for a user without the code; `v-can="'users:create'"` on one
// element hides it (and from assistive technology). Never merely disabled: a user without the
// code never sees the control.
import { defineComponent, type Directive } from "vue";
import { hasButton } from "../stores/me";

export const vCan: Directive<HTMLElement, string> = {
  mounted(element, binding) {
    element.hidden = !hasButton(binding.value);
  },
  updated(element, binding) {
    element.hidden = !hasButton(binding.value);
  },
};

export const Can = defineComponent({
  name: "Can",
  props: { code: { type: String, required: true } },
  setup(props, { slots }) {
    return () => (hasButton(props.code) ? slots.default?.() : null);
  },
});
