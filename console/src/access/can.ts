// Buttons shown by the button codes of GET /auth/me: `v-can="'users:create'"` on an element, or
// `<Can code="users:create">...</Can>` around several. Absent, not disabled: a user without the
// code never sees the control.
import { defineComponent, type Directive } from "vue";
import { hasButton } from "../stores/me";

export const vCan: Directive<HTMLElement, string> = {
  mounted(element, binding) {
    if (!hasButton(binding.value)) element.remove();
  },
};

export const Can = defineComponent({
  name: "Can",
  props: { code: { type: String, required: true } },
  setup(props, { slots }) {
    return () => (hasButton(props.code) ? slots.default?.() : null);
  },
});
