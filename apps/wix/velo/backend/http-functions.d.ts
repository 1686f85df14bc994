// Types of http-functions.js for the project's TypeScript tests (not copied into the site).
import type { VeloRequest, VeloResponse } from "./sync-endpoint.js";

export declare function post_sync(request: VeloRequest): Promise<VeloResponse>;
