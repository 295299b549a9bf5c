import {
  appendUpload,
  createMetadata,
  finalizeUpload,
  initializeUpload,
  uploadInOneRequest,
  uploadStatus,
} from "./media-routes.ts";
import type { RouteHandler } from "./route-context.ts";
import type { FakeXRoute } from "./routes.ts";
import { createPost, lookupPosts } from "./tweet-routes.ts";
import { me, userTimeline } from "./user-routes.ts";

/** Which handler answers each route; a Record, so a route without a handler does not compile. */
export const ROUTE_HANDLERS: Readonly<Record<FakeXRoute, RouteHandler>> = {
  "POST /2/tweets": createPost,
  "GET /2/tweets": lookupPosts,
  "GET /2/users/me": me,
  "GET /2/users/:id/tweets": userTimeline,
  "POST /2/media/upload": uploadInOneRequest,
  "GET /2/media/upload": uploadStatus,
  "POST /2/media/upload/initialize": initializeUpload,
  "POST /2/media/upload/:id/append": appendUpload,
  "POST /2/media/upload/:id/finalize": finalizeUpload,
  "POST /2/media/metadata": createMetadata,
};
