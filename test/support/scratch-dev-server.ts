import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../service/src/config.js';
import {
  type DevServer,
  type DevServerOptions,
  startDevServer,
} from '../../service/src/dev/server.js';

/** The dev server on scratch data and site folders, which `close()` removes. */
export async function scratchDevServer(
  label: string,
  {
    env,
    dataDir,
    log,
    ...options
  }: Omit<DevServerOptions, 'siteDir'> & {
    /** More of the environment the dev server reads (VIEWS_PER_ADDRESS_PER_DAY, …). */
    env?: Record<string, string>;
    /** The data folder, kept when the server closes. @default one in the scratch folder */
    dataDir?: string;
  } = {},
): Promise<DevServer & { readonly dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), `footfall-${label}-`));
  const server = await startDevServer(
    loadConfig({ ...env, PORT: '0', FOOTFALL_DATA_DIR: dataDir ?? join(dir, 'data') }),
    {
      ...options,
      siteDir: join(dir, 'site'),
      log: log ?? (() => {}),
    },
  );
  return {
    dir,
    url: server.url,
    database: server.database,
    storage: server.storage,
    siteDir: server.siteDir,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
