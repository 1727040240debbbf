import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { text } from '../arguments.js';
import { AdminError, UsageError } from '../errors.js';
import { change, n, progress } from '../render.js';
import { applyImport, deserialize, planImport, readAll } from '../transfer.js';
import { type Command, confirm, writeHelp } from './command.js';

/** `npm run admin -- import FILE`: the counts made those of an export file. */
export const importCommand: Command = {
  usage: 'import FILE [--note TEXT] [--yes]',
  summary: 'makes the counts those of an export file (a restore), losing no visit meanwhile',
  details: `  --note TEXT        recorded on each counter it changes (default: the file's name)
${writeHelp}

Each counter and day in the file gets exactly the file's numbers; items the file does not name
are left alone. Adjustments and imported seeds in the file are put back.`,
  options: { note: { type: 'string' }, yes: { type: 'boolean' } },
  positionals: 1,
  run: async (context) => {
    const file = context.positionals[0];
    if (file === undefined) throw new UsageError('FILE is required');
    let contents: string;
    try {
      contents = await readFile(file, 'utf8');
    } catch (error) {
      throw new AdminError(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      );
    }
    const records = deserialize(contents, file);
    const target = await context.target();
    const plan = planImport(records, await readAll(target));
    const writes = plan.create.length + plan.change.length + plan.restore.length;
    const summary =
      `${n(plan.create.length)} new counts, ${n(plan.change.length)} changed, ${n(plan.unchanged)} unchanged, ` +
      `${n(plan.restore.length)} history records to put back`;
    const changes = plan.change
      .slice(0, 10)
      .map(
        ({ record, from }) =>
          `\n  ${record.type === 'daily' ? `${record.page} ${record.day}` : record.page}: views ${change(from.views, record.views)}, visitors ${change(from.visitors, record.visitors)}, bots ${change(from.bots, record.bots)}`,
      )
      .join('');
    const more = plan.change.length > 10 ? `\n  … and ${n(plan.change.length - 10)} more` : '';
    if (writes > 0)
      confirm(
        context,
        target,
        `Would import ${file} into ${target.label}: ${summary}.${changes}${more}`,
      );
    const shown = progress(context.io, 'imported');
    await applyImport(target.database, plan, {
      who: target.who,
      note: text(context.values, 'note') ?? `import of ${basename(file)}`,
      source: basename(file),
      now: context.io.now,
      onProgress: (done, total) => shown.update(done, total),
    });
    shown.end();
    context.io.stdout(`Imported ${file} into ${target.label}: ${summary}.${changes}${more}\n`);
  },
};
