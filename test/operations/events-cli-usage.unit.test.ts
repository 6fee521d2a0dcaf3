import { describe, expect, it } from 'vitest';
import { runEventsInProcess, runEventsScript } from './events-cli-run.js';

/** What the command line says before it opens anything: help, and mistakes (exit code 2). */
describe('npm run events: help and usage', () => {
  it('when asked for help, then the process prints every command and exits 0; a mistake exits 2 and points to --help', async () => {
    const help = await runEventsScript(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['status', 'dlq list', 'dlq show', 'dlq replay', 'dlq discard', 'Exit codes'])
      expect(help.stdout).toContain(command);

    const wrong = await runEventsScript(['dlq', 'replay']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('say what to replay');
    expect(wrong.stderr).toContain('--help');
    expect(wrong.stdout).toBe('');
  }, 120_000);

  it('when discard would need a confirmation and stdin is not a terminal, then the process refuses with 2', async () => {
    const refused = await runEventsScript(['dlq', 'discard', '--queue', 'cart.product_events', '--all']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes');
  }, 120_000);

  it.each([
    [['status', '--help'], 'npm run events -- status'],
    [['dlq'], 'dlq <list|show|replay|discard>'],
    [['dlq', 'list', '-h'], '--queue Q'],
    [['dlq', 'show', '--help'], 'dlq show <id>'],
    [['dlq', 'replay', '--help'], 'applied at most once'],
    [['dlq', 'discard', '--help'], 'refuses (exit code 2)'],
    [[], 'Usage: npm run events'],
  ])('when run with %j, then it prints its help and exits 0', async (args, expected) => {
    const run = await runEventsInProcess(args);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(expected);
  });

  it.each([
    [['bogus'], 'unknown command "bogus"'],
    [['status', 'now'], 'status takes no argument'],
    [['status', '--verbose'], "Unknown option '--verbose'"],
    [['dlq', 'peek'], 'unknown dlq command "peek"'],
    [['dlq', 'list', '--limit', '0'], '--limit must be a positive integer'],
    [['dlq', 'list', '--page', 'two'], '--page must be a positive integer'],
    [['dlq', 'list', '--queue'], "Option '--queue <value>' argument missing"],
    [['dlq', 'show'], 'dlq show needs an id'],
    [['dlq', 'show', 'a', 'b'], 'expected one id'],
    [['dlq', 'replay', 'q:1', '--queue', 'q'], 'either an id or --queue'],
    [['dlq', 'replay', '--queue', 'q', '--all', '--limit', '2'], 'either --all or --limit'],
    [['dlq', 'discard', '--queue', 'q', '--yes'], 'needs --all'],
    [['dlq', 'discard'], 'say what to discard'],
  ])('when run with %j, then it says what is wrong and exits 2', async (args, expected) => {
    const run = await runEventsInProcess(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(expected);
    expect(run.stdout).toBe('');
  });
});
