import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Message } from 'esbuild';
import { embedSnippet, type PinnedWidget, pinWidget } from './embed.js';
import { renderPage, renderStatsPage } from './render.js';
import { displayPath, loadResume, ResumeError } from './resume.js';
import { removeStaleStaging, replaceDir, stagingDir } from './staging.js';

/** The widget under a name that does not change between builds, for embedding elsewhere. */
export const EMBED_SCRIPT = 'footfall-widget.js';

export interface SiteBuild {
  /** Files written, relative to the output folder, with their sizes in bytes. */
  readonly files: Readonly<Record<string, number>>;
  /** Site paths of the hashed stylesheet and widget script. */
  readonly stylesheet: string;
  readonly script: string;
  /** The widget under its content hash, for other sites to embed with integrity. */
  readonly pinnedWidget: PinnedWidget;
  /** The HTML another site pastes to embed the pinned widget (see README). */
  readonly embedSnippet: string;
}

export interface SiteBuildOptions {
  /** The site's sources: resume.json and src/. */
  readonly webDir: string;
  /** Replaced as a whole by the build. */
  readonly outDir: string;
  /** A cross-origin counter API to embed, if any. */
  readonly apiBase?: string | undefined;
  /** The site's address, for the embed snippet. @default `https://YOUR-SITE` */
  readonly siteUrl?: string | undefined;
}

/**
 * Builds the resume page: validates resume.json, bundles the widget and the stylesheet under
 * content-hashed names, renders index.html. Writes to a fresh folder and swaps it in, so a
 * failed build leaves the previous site in place.
 */
export async function buildSite(options: SiteBuildOptions): Promise<SiteBuild> {
  const resume = await loadResume(join(options.webDir, 'resume.json'));
  // A sibling of the output (never inside it, whatever slashes the caller wrote).
  const outDir = resolve(options.outDir);
  // What an interrupted build left beside it, and only that (a build running now keeps its own).
  await removeStaleStaging(outDir);
  const staging = stagingDir(outDir);
  try {
    const result = await build({
      // Paths relative to the sources, so hashes depend on content, not on the checkout's place.
      absWorkingDir: resolve(options.webDir),
      entryPoints: { widget: 'src/main.ts', stats: 'src/stats-main.ts', site: 'src/site.css' },
      outdir: resolve(staging, 'assets'),
      entryNames: '[name].[hash]',
      bundle: true,
      minify: true,
      // A classic script: embeddable from another origin without CORS on the script itself.
      format: 'iife',
      // Not the repository's tsconfig: the same sources build the same bytes wherever they are.
      tsconfigRaw: { compilerOptions: { alwaysStrict: true } },
      target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
      legalComments: 'none',
      metafile: true,
      // Written below by this process, not esbuild's: a build stopped by a signal removes its
      // folder, and esbuild's own process would otherwise write on into it.
      write: false,
      logLevel: 'silent',
    }).catch((error: unknown) => {
      throw sourceError(error, options.webDir) ?? error;
    });
    for (const file of result.outputFiles) {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.contents);
    }
    // Metafile paths are relative to absWorkingDir.
    const sitePath = (file: string) =>
      `/${relative(resolve(staging), resolve(options.webDir, file)).split('\\').join('/')}`;
    const built = (entryPoint: string) => {
      const found = Object.entries(result.metafile.outputs).find(
        ([, output]) => output.entryPoint === entryPoint,
      );
      if (!found) throw new Error(`esbuild wrote nothing for ${entryPoint}`);
      return sitePath(found[0]);
    };
    const script = built('src/main.ts');
    const statsScript = built('src/stats-main.ts');
    const stylesheet = built('src/site.css');

    const page = renderPage(resume, { script, stylesheet, apiBase: options.apiBase });
    await writeFile(join(staging, 'index.html'), page);
    // The public stats page, at /stats/.
    const statsPage = renderStatsPage(resume, { script: statsScript, stylesheet });
    await mkdir(join(staging, 'stats'), { recursive: true });
    await writeFile(join(staging, 'stats', 'index.html'), statsPage);
    // A stable name for other sites to embed, which follows every deploy (README); the page
    // itself uses the hashed one.
    await copyFile(join(staging, script), join(staging, EMBED_SCRIPT));
    // And under a name that is its own hash, which embedding sites pin with integrity.
    const widgetBytes = await readFile(join(staging, script));
    const pinnedWidget = pinWidget(widgetBytes);
    const snippet = embedSnippet(pinnedWidget, options.siteUrl);
    await mkdir(dirname(join(staging, pinnedWidget.path)), { recursive: true });
    await writeFile(join(staging, pinnedWidget.path), widgetBytes);

    const files: Record<string, number> = {
      'index.html': Buffer.byteLength(page),
      'stats/index.html': Buffer.byteLength(statsPage),
    };
    files[EMBED_SCRIPT] = (await stat(join(staging, EMBED_SCRIPT))).size;
    files[pinnedWidget.path.slice(1)] = widgetBytes.length;
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      files[sitePath(file).slice(1)] = output.bytes;
    }
    await replaceDir(staging, outDir);
    return {
      files,
      script,
      stylesheet,
      pinnedWidget,
      embedSnippet: snippet,
    };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The widget's or the stylesheet's sources do not build; the message, one line, says where. */
export class SiteSourceError extends Error {
  override readonly name = 'SiteSourceError';
}

/**
 * A failed site build in one line for a person, naming what to fix (the resume, or where the
 * sources stopped esbuild); undefined for anything else, which is a bug and shown in full.
 */
export function describeBuildError(error: unknown): string | undefined {
  return error instanceof ResumeError || error instanceof SiteSourceError
    ? error.message
    : undefined;
}

/** esbuild's failure, as `web/src/main.ts:3:7: Expected ";" but found "x"`, or undefined. */
function sourceError(error: unknown, webDir: string): SiteSourceError | undefined {
  const failures = (error as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  const lines = (failures as Message[]).map(({ text, location }) => {
    const at = location
      ? `${displayPath(join(webDir, location.file))}:${location.line}:${location.column + 1}: `
      : '';
    return `${at}${text.split('\n')[0]}`;
  });
  return new SiteSourceError(`the site does not build: ${lines.join('; ')}`);
}
