// The Socket.IO connection (docs/websocket.md): websocket transport, the access token in
// `auth`, read afresh at every (re)connection. A refreshed token is handed to the open socket
// (`auth:refresh`), so it is not dropped when the old one expires.
import { io, type Socket } from "socket.io-client";
import * as session from "./session";

export function connect(): Socket {
  const socket = io({
    path: "/socket.io",
    transports: ["websocket"],
    auth: (give) => give({ token: session.accessToken() ?? "" }),
  });
  const stop = session.onSession((event) => {
    const token = session.accessToken();
    if (event === "refreshed" && token && socket.connected) socket.emit("auth:refresh", { token });
    if (event === "ended") socket.disconnect();
  });
  socket.on("auth:expiring", () => void session.refresh(session.accessToken()).catch(() => null));
  socket.on("connect_error", (error: Error & { data?: { code?: string } }) => {
    if (error.data?.code !== "AUTH_TOKEN_EXPIRED") return;
    void session.refresh(null).then((token) => token && socket.connect());
  });
  socket.on("disconnect", (reason) => {
    // The server ended it (session revoked, token expired): reconnect only with a live session.
    if (reason === "io server disconnect" && session.resumable()) {
      void session.refresh(null).then((token) => token && socket.connect());
    }
  });
  const close = socket.close.bind(socket);
  socket.close = () => {
    stop();
    return close();
  };
  return socket;
}
