// Every screen of the console. A screen opens when the user holds its permission codes; a
// screen named by a menu node (its `component`, as seeded: `system/users/index`) is placed in
// the sidebar where the user's menu tree puts it. Adding a screen is one entry here.
import type { Component } from "vue";
import { t } from "../i18n";

export interface Screen {
  /** The route under /console, e.g. /system/users. */
  path: string;
  name: string;
  title: () => string;
  /** The menu node `component` that places it in the sidebar, if any. */
  component?: string;
  /** Codes the user needs (all of them) to open it. */
  needs: string[];
  load: () => Promise<Component>;
}

export const SCREENS: Screen[] = [
  {
    path: "/",
    name: "home",
    title: () => t.shell.home,
    needs: [],
    load: () => import("./HomePage.vue"),
  },
  {
    path: "/notifications",
    name: "notifications",
    title: () => t.notifications.title,
    needs: ["GET:/api/v1/notifications"],
    load: () => import("./NotificationsPage.vue"),
  },
  {
    path: "/system/users",
    name: "users",
    title: () => t.menu.users,
    component: "system/users/index",
    needs: ["GET:/api/v1/users"],
    load: () => import("./UsersPage.vue"),
  },
  {
    path: "/system/online",
    name: "online",
    title: () => t.menu.online,
    component: "system/online/index",
    needs: ["GET:/api/v1/realtime/online"],
    load: () => import("./OnlinePage.vue"),
  },
];

export const BY_COMPONENT = new Map(
  SCREENS.filter((screen) => screen.component).map((screen) => [screen.component!, screen]),
);
