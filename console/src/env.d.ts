/// <reference types="vite/client" />
import "vue-router";
import type { Screen } from "./screens/registry";

declare module "vue-router" {
  interface RouteMeta {
    public?: boolean;
    screen?: Screen;
  }
}

declare module "*.vue" {
  import type { DefineComponent } from "vue";
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
