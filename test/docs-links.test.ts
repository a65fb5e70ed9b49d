import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers';

interface BrokenLink {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly problem: string;
}

interface Link {
  readonly line: number;
  readonly target: string;
}

/** README.md, ARCHITECTURE.md and every Markdown file under docs/, as paths relative to `root`. */
function documents(root: string): string[] {
  const found = ['README.md', 'ARCHITECTURE.md'].filter((f) => existsSync(join(root, f)));
  const walk = (dir: string): void => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir)).sort()) {
      const path = `${dir}/${entry}`;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (entry.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found;
}

/** The lines of a Markdown text, fenced code blanked (links and headings there are not real). */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return '';
    }
    if (marker !== undefined) {
      fence = marker;
      return '';
    }
    return line;
  });
}

/** Inline links and images `[text](target "title")` and reference definitions `[id]: target`. */
function linksOf(text: string): Link[] {
  const links: Link[] = [];
  proseLines(text).forEach((raw, i) => {
    // Inline code is not a link: `[a](b)` inside backticks stays text.
    const line = raw.replace(/(`+)[^`]*?\1/g, '');
    for (const match of line.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: i + 1, target: match[1] ?? '' });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (definition?.[1] !== undefined) links.push({ line: i + 1, target: definition[1] });
  });
  return links;
}

/**
 * The anchor GitHub gives a heading: inline Markdown reduced to its text, lower case, every
 * character that is not a letter, a digit, a space, `-` or `_` dropped, spaces turned into `-`.
 * (github-slugger, which GitHub's renderer follows.)
 */
function headingSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown text defines: its headings' slugs (repeats numbered) and HTML ids. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = headingSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  }
  return anchors;
}

/** Checks every relative link of `files` (paths relative to `root`); external URLs are skipped. */
function brokenLinks(root: string, files: readonly string[]): { broken: BrokenLink[]; checked: number } {
  const broken: BrokenLink[] = [];
  let checked = 0;
  for (const file of files) {
    for (const { line, target } of linksOf(readFileSync(join(root, file), 'utf8'))) {
      // http:, https:, mailto: and protocol-relative links leave the repository.
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      checked++;
      const hash = target.indexOf('#');
      const pathPart = hash === -1 ? target : target.slice(0, hash);
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const absolute =
        pathPart === ''
          ? join(root, file)
          : pathPart.startsWith('/')
            ? join(root, decodeURIComponent(pathPart))
            : resolve(dirname(join(root, file)), decodeURIComponent(pathPart));
      const inRepo = relative(root, absolute).split('\\').join('/');
      const report = (problem: string) => broken.push({ file, line, target, problem });
      if (inRepo.startsWith('..')) {
        report('points outside the repository');
        continue;
      }
      if (!existsSync(absolute)) {
        report(`${inRepo} does not exist`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(absolute).isDirectory() || !absolute.endsWith('.md')) {
        report(`#${anchor}: ${inRepo} is not a Markdown file`);
      } else if (!anchorsOf(readFileSync(absolute, 'utf8')).has(anchor)) {
        report(`#${anchor}: no such heading in ${inRepo}`);
      }
    }
  }
  return { broken, checked };
}

describe('documentation links', () => {
  it('every relative link in README.md and docs/ points to an existing file and heading', () => {
    const { broken } = brokenLinks(ROOT, documents(ROOT));
    expect(broken).toEqual([]);
  });

  it('checks the README, the guides and every runbook', () => {
    const files = documents(ROOT);
    expect(files).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/apps.md',
        'docs/reviewing.md',
        'docs/operations/upgrading-nodes.md',
        'docs/operations/blue-green-upgrade.md',
        'docs/operations/switching-live.md',
        'docs/operations/retiring-a-cluster.md',
      ]),
    );
    // The README's map links every document under docs/ (the generated reference included).
    const readmeTargets = new Set(
      linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((l) => l.target.split('#')[0]),
    );
    const unmapped = files.filter((f) => f.startsWith('docs/') && !readmeTargets.has(f));
    expect(unmapped).toEqual([]);
    expect(brokenLinks(ROOT, files).checked).toBeGreaterThan(50);
  });

  describe('on a documentation tree with mistakes', () => {
    const root = mkdtempSync(join(tmpdir(), 'docs-links-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write(
      'README.md',
      [
        '# Title',
        '[guide](docs/guide.md) [gone](docs/gone.md) [section](docs/guide.md#the-section)',
        '[no section](docs/guide.md#missing) [self](#title) [web](https://example.com/x.md)',
        '`[in code](docs/absent.md)`',
        '```',
        '[in a fence](docs/absent.md)',
        '```',
        '[up](../outside.md)',
        '[ref]: docs/also-gone.md',
      ].join('\n'),
    );
    write(
      'docs/guide.md',
      '# Guide\n\n## The section\n\n[back](../README.md#title) [bad](../README.md#nope)\n',
    );

    it('rejects a link to a missing file, a missing heading or outside the repository', () => {
      const { broken, checked } = brokenLinks(root, documents(root));
      expect(broken.map((b) => `${b.file}:${b.line} ${b.target}: ${b.problem}`)).toEqual([
        'README.md:2 docs/gone.md: docs/gone.md does not exist',
        'README.md:3 docs/guide.md#missing: #missing: no such heading in docs/guide.md',
        'README.md:8 ../outside.md: points outside the repository',
        'README.md:9 docs/also-gone.md: docs/also-gone.md does not exist',
        'docs/guide.md:5 ../README.md#nope: #nope: no such heading in README.md',
      ]);
      // Code spans, fenced code and external URLs are not checked; the other 9 links are.
      expect(checked).toBe(9);
    });
  });

  it('computes the anchors GitHub gives headings', () => {
    expect(headingSlug('What `npm run check` verifies')).toBe('what-npm-run-check-verifies');
    expect(headingSlug("5. Delete the cluster's DNS records by hand")).toBe(
      '5-delete-the-clusters-dns-records-by-hand',
    );
    expect(headingSlug('Offline `npx cdktf`')).toBe('offline-npx-cdktf');
    expect(headingSlug('[Upgrading nodes](x.md) & more')).toBe('upgrading-nodes--more');
    const text = '# A\n## A\n## A\n';
    expect([...anchorsOf(text)]).toEqual(['a', 'a-1', 'a-2']);
  });
});
