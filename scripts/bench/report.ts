import { mkdir, writeFile } from 'node:fs/promises';
import { arch, cpus } from 'node:os';
import { dirname } from 'node:path';

/** The whole report, headed by the machine it was measured on. */
export function report(sections: string[]): string {
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${arch()}), Node ${process.version}`;
  return `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}. Ratios compare
figures measured in the same run; absolute times depend on the machine (this one is a shared
2-vCPU VM, and dynalite is far slower than DynamoDB, which makes fixed overheads look larger).

${sections.join('\n\n')}
`;
}

/** Prints the report and writes it to `file`; `note` says where it went. */
export async function publish(text: string, file: string, note: string): Promise<void> {
  console.log(`\n${text}`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  console.error(note);
}
