import { handle } from 'hono/aws-lambda';
import { cloudFrontViewerAddress } from './address.js';
import { compose } from './compose.js';
import { loadConfig } from './config.js';

// Built once per Lambda environment, outside the handler, so warm invocations reuse the client
// and its open connections.
const { app } = compose(loadConfig(process.env), cloudFrontViewerAddress);

export const handler = handle(app);
