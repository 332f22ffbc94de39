// The notifications the bell shows, kept live over Socket.IO: connect first, then fetch the
// unread count and the latest (docs/websocket.md, "Reconnect and catch-up"), de-duplicated by
// id. Screens listen to new ones through `onNotification`.
import type { Socket } from "socket.io-client";
import { reactive } from "vue";
import { api, unwrap } from "../api/client";
import { connect } from "../api/realtime";
import type { components } from "../api/schema";

export type Notification = components["schemas"]["NotificationRead"];

const LATEST = 5;

export const notifications = reactive({
  unread: 0,
  latest: [] as Notification[],
  live: false,
});

let socket: Socket | null = null;
const listeners = new Set<(item: Notification) => void>();

async function catchUp(): Promise<void> {
  const [count, page] = await Promise.all([
    unwrap(api.GET("/api/v1/notifications/unread-count")),
    unwrap(api.GET("/api/v1/notifications", { params: { query: { limit: LATEST } } })),
  ]);
  notifications.unread = count.unread;
  notifications.latest = page.items;
}

function received(item: Notification): void {
  if (notifications.latest.some((known) => known.id === item.id)) return;
  notifications.latest = [item, ...notifications.latest].slice(0, LATEST);
  if (item.readAt === null) notifications.unread += 1;
  for (const listener of listeners) listener(item);
}

export function startNotifications(): void {
  if (socket) return;
  socket = connect();
  socket.on("connect", () => {
    notifications.live = true;
    void catchUp().catch(() => undefined);
  });
  socket.on("disconnect", () => {
    notifications.live = false;
  });
  socket.on("notification", received);
}

export function stopNotifications(): void {
  socket?.close();
  socket = null;
  notifications.live = false;
  notifications.unread = 0;
  notifications.latest = [];
}

export function onNotification(listener: (item: Notification) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function markedLocally(id: string, readAt: string): void {
  const known = notifications.latest.find((item) => item.id === id);
  if (known && known.readAt === null) known.readAt = readAt;
}

export async function markRead(item: Notification): Promise<Notification> {
  const read = await unwrap(
    api.POST("/api/v1/notifications/{notification_id}/read", {
      params: { path: { notification_id: item.id } },
    }),
  );
  if (item.readAt === null) notifications.unread = Math.max(0, notifications.unread - 1);
  markedLocally(item.id, read.readAt ?? new Date().toISOString());
  return read;
}

export async function markAllRead(): Promise<void> {
  await unwrap(api.POST("/api/v1/notifications/read-all"));
  const now = new Date().toISOString();
  for (const item of notifications.latest) if (item.readAt === null) item.readAt = now;
  notifications.unread = 0;
}
