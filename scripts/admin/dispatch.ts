/**
 * The admin CLI's dispatch: which command a command line names, its options parsed, its target
 * opened and closed, its failures turned into one line and an exit code; and the help. Each
 * command, with its own usage, is in `commands/`; `main.ts` runs this with the process's I/O.
 */
import { parseArgs } from 'node:util';
import { stackNames } from '../../cdk/lib/deploy-names.js';
import { ConfigError, loadConfig } from '../../service/src/config.js';
import { text } from './arguments.js';
import type { Command, Io, Options, Values } from './commands/command.js';
import { exportCommand } from './commands/export.js';
import { historyCommand } from './commands/history.js';
import { importCommand } from './commands/import.js';
import { importSeedCommand } from './commands/import-seed.js';
import { linkCommand } from './commands/link.js';
import { pagesCommand } from './commands/pages.js';
import { removeCommand } from './commands/remove.js';
import { setCommand } from './commands/set.js';
import { showCommand } from './commands/show.js';
import { AdminError, describeError, UsageError } from './errors.js';
import { openAwsTarget, openLocalTarget, type Target } from './target.js';

export type { Io } from './commands/command.js';

/** Every command, by name, in the order the help lists them. */
const commands: Record<string, Command> = {
  pages: pagesCommand,
  show: showCommand,
  set: setCommand,
  history: historyCommand,
  remove: removeCommand,
  link: linkCommand,
  'import-seed': importSeedCommand,
  export: exportCommand,
  import: importCommand,
};

const targetOptions: Options = {
  local: { type: 'boolean' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
};
const targetHelp = `Where:
  --local            the dev server's data (FOOTFALL_DATA_DIR, default .data); stop npm run dev first
  --stack NAME       a deployed stack, found in CloudFormation (default ${stackNames.app})
  --region REGION    its region (default: the AWS SDK's, e.g. AWS_REGION or your profile's)
  --profile NAME     the AWS profile to use (default: the SDK's usual chain)`;

const overview = `footfall admin: read, correct, import and back up your counts with your own credentials.

Usage: npm run admin -- COMMAND [options]   (npm run admin -- COMMAND --help for more)

Commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(12)} ${command.summary}`)
  .join('\n')}

${targetHelp}

Exit codes: 0 done, 1 failed or refused (nothing changed unless it says so), 2 bad command line.
`;

function helpOf(command: Command): string {
  return `Usage: npm run admin -- ${command.usage} [--local | --stack NAME]\n\n${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.\n\n${command.details}\n\n${targetHelp}\n`;
}

/** Runs one command line; returns the exit code. Never throws. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const context = {
    stdout: io.stdout,
    stderr: io.stderr,
    interactive: io.interactive,
    env: io.env,
    now: io.now ?? (() => new Date()),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] ? commands[rest[0]] : undefined;
    io.stdout(topic ? helpOf(topic) : overview);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(
      `footfall admin: there is no command ${JSON.stringify(name)}: run npm run admin -- --help for the list\n`,
    );
    return 2;
  }

  let opened: Target | undefined;
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { ...targetOptions, ...command.options, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(argumentProblem((error as Error).message));
    }
    const values = parsed.values as Values;
    if (values.help) {
      io.stdout(helpOf(command));
      return 0;
    }
    if (parsed.positionals.length > command.positionals) {
      throw new UsageError(`unexpected ${JSON.stringify(parsed.positionals[command.positionals])}`);
    }
    if (
      values.local &&
      (values.stack !== undefined || values.region !== undefined || values.profile !== undefined)
    ) {
      throw new UsageError(
        "--local works on the dev server's data; --stack, --region and --profile are for AWS",
      );
    }
    await command.run({
      values,
      positionals: parsed.positionals,
      io: context,
      target: async () => {
        if (values.local) {
          let config: ReturnType<typeof loadConfig>;
          try {
            config = loadConfig(context.env);
          } catch (error) {
            if (error instanceof ConfigError)
              throw new AdminError(error.message.replace(/\n\s*/g, ' '));
            throw error;
          }
          opened = await openLocalTarget({
            dataDir: config.dataDir,
            tableName: config.tableName,
            siteUrl: `http://${config.host}:${config.port || 8787}`,
          });
        } else {
          if (typeof values.profile === 'string') context.env.AWS_PROFILE = values.profile;
          opened = await openAwsTarget({
            stack: text(values, 'stack') ?? stackNames.app,
            region: text(values, 'region'),
          });
        }
        return opened;
      },
    });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(
        `footfall admin ${name}: ${error.message}\nUsage: npm run admin -- ${command.usage}  (--help for more)\n`,
      );
      return 2;
    }
    io.stderr(`footfall admin ${name}: ${describeError(error)}\n`);
    return 1;
  } finally {
    await opened?.close();
  }
}

/** node:util's parseArgs messages, said in one line. */
function argumentProblem(message: string): string {
  const option = message.match(/Option '(-[-\w]+)/)?.[1];
  if (option && /ambiguous|argument missing/.test(message)) return `${option} needs a value`;
  const unknown = message.match(/Unknown option '([^']+)'/)?.[1];
  if (unknown) return `there is no option ${unknown}`;
  if (option && /does not take an argument/.test(message)) return `${option} takes no value`;
  return message.split('\n')[0] ?? message;
}
