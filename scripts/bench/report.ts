import { mkdir, writeFile } from 'node:fs/promises';
import { arch, cpus } from 'node:os';
import { dirname } from 'node:path';
import { type Section, summary } from './targets.js';

/** The whole report: the machine it was measured on, every target met or missed, the sections. */
export function report(
  sections: readonly Section[],
  machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${arch()}), Node ${process.version}`,
  date = new Date().toISOString().slice(0, 10),
): string {
  return `# Benchmarks

Written by \`npm run bench\` on ${date}: ${machine}. Ratios compare
figures measured in the same run; absolute times depend on the machine (this one is a shared
2-vCPU VM, and dynalite is far slower than DynamoDB, which makes fixed overheads look larger).

${summary(sections.flatMap((section) => section.checks))}

${sections.map((section) => section.text).join('\n\n')}
`;
}

/** Prints the report and writes it to `file`; `note` says where it went. */
export async function publish(text: string, file: string, note: string): Promise<void> {
  console.log(`\n${text}`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  console.error(note);
}
