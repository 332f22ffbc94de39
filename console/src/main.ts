import { createApp } from "vue";
import App from "./App.vue";
import { vCan } from "./access/can";
import { router } from "./router";

createApp(App).directive("can", vCan).use(router).mount("#app");
