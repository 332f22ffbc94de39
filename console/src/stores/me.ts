// Who is logged in, from GET /api/v1/auth/me: what the console renders from (roles, permission
// codes, button codes, the menu tree). Loaded after login and after a reload; cleared when the
// session ends.
import { reactive } from "vue";
import { fetchMe, type Me } from "../api/auth";

export const me = reactive<{ user: Me | null }>({ user: null });

export async function loadMe(): Promise<Me> {
  me.user = await fetchMe();
  return me.user;
}

export function forgetMe(): void {
  me.user = null;
}

/** Whether the user may call this route or event code (superusers get every code). */
export function hasPermission(code: string): boolean {
  return me.user?.permissions.includes(code) ?? false;
}

/** Whether the user's menus grant this button code (`users:create`). */
export function hasButton(code: string): boolean {
  return me.user?.buttons.includes(code) ?? false;
}
