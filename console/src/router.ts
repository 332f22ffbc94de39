// Routes: the login page, and every screen of the registry inside the shell (sidebar, header,
// bell). Every screen is its own chunk, loaded when opened, so the login page loads only what
// it needs. A screen the user lacks the codes for renders "not allowed" at its own URL.
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import * as session from "./api/session";
import { forgetMe, loadMe, me } from "./stores/me";
import { SCREENS } from "./screens/registry";

const screens: RouteRecordRaw[] = SCREENS.map((screen) => ({
  path: screen.path === "/" ? "" : screen.path.slice(1),
  name: screen.name,
  component: screen.load,
  meta: { screen },
}));

export const router = createRouter({
  history: createWebHistory("/console/"),
  routes: [
    {
      path: "/login",
      name: "login",
      component: () => import("./screens/LoginPage.vue"),
      meta: { public: true },
    },
    {
      path: "/",
      component: () => import("./layout/ShellLayout.vue"),
      children: [
        ...screens,
        {
          path: ":rest(.*)*",
          name: "not-found",
          component: () => import("./screens/NotFoundPage.vue"),
        },
      ],
    },
  ],
});

async function signedIn(): Promise<boolean> {
  if (me.user) return true;
  if (!session.resumable()) return false;
  try {
    await loadMe(); // refreshes first when this tab has no access token (a reload)
    return true;
  } catch {
    return false;
  }
}

router.beforeEach(async (to) => {
  if (to.meta.public) {
    return to.name === "login" && (await signedIn()) ? redirectTarget(to.query.next) : true;
  }
  if (await signedIn()) return true;
  return { name: "login", query: to.fullPath === "/" ? {} : { next: to.fullPath } };
});

/** Where to go after logging in: the page asked for, if it is one of ours. */
export function redirectTarget(next: unknown): string {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

session.onSession((event) => {
  if (event === "ended") {
    forgetMe();
    if (router.currentRoute.value.name !== "login") void router.push({ name: "login" });
  } else if (event === "joined" && router.currentRoute.value.name === "login") {
    // Logged in from another tab: this one follows.
    void router.push(redirectTarget(router.currentRoute.value.query.next));
  }
});
