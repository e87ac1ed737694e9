/**
 * The per-file gate of `npm run test:mutation`: Stryker's `thresholds.break` holds for the whole
 * run only, so this reads its JSON report, fails for any mutated file below its own threshold (or
 * missing from the report), and writes the summary to docs/mutation-report.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** src/auth/ (token verification, the policy and its guards) at 90; the rest at 85. */
function thresholdOf(file: string): number {
  return file.startsWith('src/auth/') ? 90 : 85;
}

type MutantStatus = 'Killed' | 'Survived' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Timeout' | 'Ignored' | 'Pending';

interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
  status: MutantStatus;
  statusReason?: string;
  static?: boolean;
}

interface MutationReport {
  files: Record<string, { source: string; mutants: ReportMutant[] }>;
  performance?: { setup: number; initialRun: number; mutation: number };
}

interface FileScore {
  file: string;
  threshold: number;
  counts: Record<MutantStatus, number>;
  /** (killed + timed out) / (killed + timed out + survived + no coverage), as Stryker counts it. */
  score: number;
}

/** The parts of stryker.config.mjs read here. */
interface StrykerConfig {
  mutate?: string[];
  jsonReporter?: { fileName?: string };
}

const { default: strykerConfig } = (await import(new URL('../stryker.config.mjs', import.meta.url).href)) as { default: StrykerConfig };
const REPORT_FILE = strykerConfig.jsonReporter?.fileName ?? 'reports/mutation/mutation.json';
const SUMMARY_FILE = 'docs/mutation-report.md';
/** What follows this line in SUMMARY_FILE is written by hand (why each survivor is accepted) and kept. */
const NOTES_MARKER = '<!-- Written by hand below this line; npm run test:mutation keeps it. -->';

function handWrittenNotes(): string {
  const existing = existsSync(SUMMARY_FILE) ? readFileSync(SUMMARY_FILE, 'utf8') : '';
  const at = existing.indexOf(NOTES_MARKER);
  return at === -1 ? `${NOTES_MARKER}\n\n## Why the survivors are accepted\n\nNothing yet.\n` : existing.slice(at);
}

function scoreOf(file: string, mutants: ReportMutant[]): FileScore {
  const counts = { Killed: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Timeout: 0, Ignored: 0, Pending: 0 };
  for (const mutant of mutants) counts[mutant.status] += 1;
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { file, threshold: thresholdOf(file), counts, score: valid === 0 ? 100 : (detected / valid) * 100 };
}

function sourceLine(source: string, line: number): string {
  return (source.split('\n')[line - 1] ?? '').trim();
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/`/g, "'");
}

function summary(report: MutationReport, scores: FileScore[], problems: string[]): string {
  const lines = [
    '# Mutation testing report',
    '',
    'Written by `npm run test:mutation` (see docs/mutation-testing.md) from `reports/mutation/mutation.json`;',
    'the HTML report beside it shows each mutant in its source.',
    '',
    '| file | score | threshold | killed | timed out | survived | no coverage | ignored (equivalent) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...scores.map(({ file, score, threshold, counts }) =>
      `| \`${file}\` | ${score.toFixed(2)}% | ${threshold}% | ${counts.Killed} | ${counts.Timeout} | ${counts.Survived} | ${counts.NoCoverage} | ${counts.Ignored} |`,
    ),
    '',
  ];
  if (report.performance) {
    const { setup, initialRun, mutation } = report.performance;
    lines.push(`Run time: ${((setup + initialRun + mutation) / 60_000).toFixed(1)} min (setup ${(setup / 1000).toFixed(0)} s, initial test run ${(initialRun / 1000).toFixed(0)} s, mutants ${(mutation / 60_000).toFixed(1)} min).`, '');
  }
  lines.push(problems.length === 0 ? 'Every file meets its threshold.' : `**Below threshold:** ${problems.join('; ')}.`, '');

  lines.push('## Surviving mutants', '');
  const survivors = scores.flatMap(({ file }) =>
    (report.files[file]?.mutants ?? [])
      .filter((mutant) => mutant.status === 'Survived' || mutant.status === 'NoCoverage')
      .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column)
      .map((mutant) => ({ file, mutant })),
  );
  if (survivors.length === 0) lines.push('None.', '');
  else {
    lines.push('| where | mutator | status | code | replaced by |', '|---|---|---|---|---|');
    for (const { file, mutant } of survivors) {
      const where = `${file}:${mutant.location.start.line}`;
      lines.push(`| \`${where}\` | ${mutant.mutatorName} | ${mutant.status} | \`${markdownCell(sourceLine(report.files[file]!.source, mutant.location.start.line))}\` | \`${markdownCell(mutant.replacement ?? '')}\` |`);
    }
    lines.push('');
  }

  lines.push('## Mutants excluded as equivalent', '', 'Each is excluded in the source by a `// Stryker disable next-line <mutator>: <reason>` comment.', '');
  const ignored = scores.flatMap(({ file }) => (report.files[file]?.mutants ?? []).filter((mutant) => mutant.status === 'Ignored').map((mutant) => ({ file, mutant })));
  if (ignored.length === 0) lines.push('None.', '');
  else {
    lines.push('| where | mutator | replaced by | why it is equivalent |', '|---|---|---|---|');
    for (const { file, mutant } of ignored) {
      const reason = (mutant.statusReason ?? '').replace(/^Ignored because of excluded mutation "\w+": ?/, '').replace(/^Disabled by user comment:? ?/i, '');
      lines.push(`| \`${file}:${mutant.location.start.line}\` | ${mutant.mutatorName} | \`${markdownCell(mutant.replacement ?? '')}\` | ${markdownCell(reason)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n${handWrittenNotes()}`;
}

const report = JSON.parse(readFileSync(REPORT_FILE, 'utf8')) as MutationReport;
const expected = strykerConfig.mutate ?? [];
const problems: string[] = [];
for (const file of expected) if (!(file in report.files)) problems.push(`${file} is not in the report`);
const scores = Object.entries(report.files)
  .map(([file, { mutants }]) => scoreOf(file, mutants))
  .sort((a, b) => a.file.localeCompare(b.file));
for (const { file, score, threshold } of scores) if (score < threshold) problems.push(`${file} scores ${score.toFixed(2)}%, below ${threshold}%`);

writeFileSync(SUMMARY_FILE, summary(report, scores, problems));
for (const { file, score, threshold } of scores) console.log(`${score >= threshold ? 'ok  ' : 'FAIL'} ${score.toFixed(2).padStart(6)}%  (threshold ${threshold}%)  ${file}`);
console.log(`Summary written to ${SUMMARY_FILE}.`);
if (problems.length > 0) {
  console.error(`Mutation score thresholds not met: ${problems.join('; ')}.`);
  process.exitCode = 1;
}
