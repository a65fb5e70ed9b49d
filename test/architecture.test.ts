import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles, violations } from './architecture-rules';
import { ROOT } from './helpers';

describe('architecture: the import rules of the developers guide', () => {
  it('hold for every source file of platform/, infra/, manifests/, cli/ and bench/', () => {
    const files = sourceFiles(ROOT);
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['platform/config-files.ts', 'infra/main.ts', 'cli/main.ts']),
    );
    expect(files.length).toBeGreaterThan(50);
    expect(violations(files)).toEqual([]);
  });

  it('reads every form of import statement', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../platform/b';",
      "import * as fs from 'node:fs';",
      "import './side-effect';",
      "export { c } from './c';",
      "export type { D } from './d';",
      "import {\n  e,\n  f,\n} from './multi-line';",
      "const g = require('./g');",
      "const h = await import('./h');",
      "// import { no } from './commented-out';",
      "/* import { no } from './commented-out-too'; */",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: './a', typeOnly: false },
      { specifier: '../platform/b', typeOnly: true },
      { specifier: 'node:fs', typeOnly: false },
      { specifier: './side-effect', typeOnly: false },
      { specifier: './c', typeOnly: false },
      { specifier: './d', typeOnly: true },
      { specifier: './multi-line', typeOnly: false },
      { specifier: './g', typeOnly: false },
      { specifier: './h', typeOnly: false },
    ]);
  });

  // Each rule, planted once: a scanner that cannot see a violation would pass the first test.
  it.each([
    [
      'platform imports cli/',
      { path: 'platform/x.ts', text: "import { main } from '../cli/main';" },
      "platform/x.ts imports '../cli/main': platform/ imports nothing from infra/, manifests/, cli/ or bench/",
    ],
    [
      'platform imports infra/ (type only)',
      { path: 'platform/deep/x.ts', text: "import type { S } from '../../infra/synth-stacks';" },
      "platform/deep/x.ts imports '../../infra/synth-stacks': platform/ imports nothing",
    ],
    [
      'manifests imports infra/',
      { path: 'manifests/charts/x.ts', text: "import { y } from '../../infra/stacks/cluster-stack';" },
      'manifests/ imports only platform/ and its own files',
    ],
    [
      'infra imports cli/',
      { path: 'infra/main.ts', text: "import { loadEnvironments } from '../cli/config-files';" },
      "infra/main.ts imports '../cli/config-files': infra/ imports only platform/ and its own files",
    ],
    [
      'manifests imports cdktf',
      { path: 'manifests/x.ts', text: "import { App } from 'cdktf';" },
      "manifests/x.ts imports 'cdktf': cdktf is imported only in infra/",
    ],
    [
      'platform imports a @cdktf package',
      { path: 'platform/x.ts', text: "import { S3Backend } from '@cdktf/provider-aws/lib/s3-bucket';" },
      'cdktf is imported only in infra/',
    ],
    [
      'a provider imported from its package root',
      { path: 'infra/x.ts', text: "import { EksCluster } from '@cdktf/provider-aws';" },
      "infra/x.ts imports '@cdktf/provider-aws': import provider classes by deep path",
    ],
    [
      'the helm provider imported from its lib index',
      { path: 'infra/x.ts', text: "import { provider } from '@cdktf/provider-helm/lib';" },
      "infra/x.ts imports '@cdktf/provider-helm/lib': import provider classes by deep path",
    ],
    [
      'node:fs in platform/',
      { path: 'platform/x.ts', text: "import { readFileSync } from 'node:fs';" },
      "platform/x.ts imports 'node:fs': only cli/, bench/ and the entry points",
    ],
    [
      'fs required in manifests/',
      { path: 'manifests/charts/x.ts', text: "const fs = require('fs');" },
      "manifests/charts/x.ts imports 'fs': only cli/, bench/ and the entry points",
    ],
    [
      'process.env in infra/ below the entry point',
      { path: 'infra/stacks/x.ts', text: 'const region = process.env.AWS_REGION;' },
      'infra/stacks/x.ts reads process.env: only cli/, bench/ and the entry points',
    ],
  ])('fails on a planted violation: %s', (_, file, message) => {
    const found = violations([file]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toContain(message);
  });

  it.each([
    [
      'the entry points read files and the environment',
      { path: 'infra/main.ts', text: "import * as fs from 'node:fs';\nprocess.env.X;" },
    ],
    ['cli/ reads files', { path: 'cli/x.ts', text: "import { readFileSync } from 'node:fs';" }],
    [
      'platform/ imports a type from node:fs',
      { path: 'platform/x.ts', text: "import type { Stats } from 'node:fs';" },
    ],
    [
      'infra/ imports a deep provider class',
      { path: 'infra/x.ts', text: "import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';" },
    ],
    [
      'manifests/ imports platform/',
      { path: 'manifests/charts/x.ts', text: "import { clusterName } from '../../platform/names';" },
    ],
    ['a comment mentions process.env', { path: 'platform/x.ts', text: '// never read process.env here' }],
  ])('accepts what the rules allow: %s', (_, file) => {
    expect(violations([file])).toEqual([]);
  });
});
