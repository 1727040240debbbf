/** `npm run smoke -- --url https://…`: checks a deployed footfall; exit 1 on any failure. */
import { parseArgs } from 'node:util';
import { runSmoke, SmokeFailure } from './checks.js';

const { values } = parseArgs({ options: { url: { type: 'string' } } });
if (!values.url) {
  console.error('usage: npm run smoke -- --url https://your-site.example');
  process.exit(2);
}

try {
  const checks = await runSmoke(values.url);
  for (const check of checks) console.log(`${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
  const failed = checks.filter((check) => !check.ok);
  if (failed.length > 0) {
    console.error(`\nsmoke test FAILED: ${failed.map((check) => check.name).join('; ')}`);
    process.exit(1);
  }
  console.log(`\nsmoke test passed: ${values.url}`);
} catch (error) {
  if (!(error instanceof SmokeFailure)) throw error;
  console.error(`✗ ${error.message}\n\nsmoke test FAILED`);
  process.exit(1);
}
