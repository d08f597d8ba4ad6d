/**
 * The generated sync API has sync signatures. Compile time (checked by `npm run typecheck`): the
 * generated stores and manager satisfy the sync protocols, and the async ones do not. Run time: a
 * walk of every export of `src/sync` with the type checker finds no function or method that
 * returns a Promise.
 */
import path from 'node:path';
import { Node, Project, type SourceFile, type Type } from 'ts-morph';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { InMemoryCloudIpStore as AsyncInMemoryCloudIpStore } from '../../src/async/index.js';
import type {
  InMemoryCloudIpStore,
  RedisCloudIpStore,
  RedisManager,
  SyncCloudIpStoreFactory,
  SyncCloudIpStoreProtocol,
  SyncRedisConnection,
  SyncRedisHandlerProtocol,
  SyncRedisLease,
} from '../../src/sync/index.js';
import { InMemoryCloudIpStore as GeneratedInMemoryStore } from '../../src/sync/cloud/in-memory-store.js';
import { REPO_ROOT } from '../../scripts/codegen/generate.js';
import { isThenable } from '../../scripts/codegen/syntax.js';

describe('sync API types (compile-time; `npm run typecheck` fails when one breaks)', () => {
  it('the generated stores satisfy SyncCloudIpStoreProtocol with plain return types', () => {
    expectTypeOf<InMemoryCloudIpStore>().toExtend<SyncCloudIpStoreProtocol>();
    expectTypeOf<RedisCloudIpStore>().toExtend<SyncCloudIpStoreProtocol>();
    expectTypeOf<ReturnType<SyncCloudIpStoreProtocol['get']>>().toEqualTypeOf<Set<string> | null>();
    expectTypeOf<ReturnType<SyncCloudIpStoreProtocol['set']>>().toEqualTypeOf<void>();
    expectTypeOf<ReturnType<RedisCloudIpStore['clear']>>().toEqualTypeOf<void>();
    expectTypeOf<AsyncInMemoryCloudIpStore>().not.toExtend<SyncCloudIpStoreProtocol>();
  });

  it('the generated manager satisfies SyncRedisHandlerProtocol and a store factory takes it', () => {
    expectTypeOf<RedisManager>().toExtend<SyncRedisHandlerProtocol>();
    expectTypeOf<ReturnType<RedisManager['getKey']>>().toEqualTypeOf<string | null>();
    expectTypeOf<ReturnType<RedisManager['incr']>>().toEqualTypeOf<number | null>();
    expectTypeOf<ReturnType<RedisManager['getConnection']>>().toEqualTypeOf<SyncRedisLease>();
    expectTypeOf<SyncRedisLease>().toExtend<Disposable>();
    expectTypeOf<SyncRedisLease['connection']>().toEqualTypeOf<SyncRedisConnection>();
    expectTypeOf<(redis: SyncRedisHandlerProtocol) => RedisCloudIpStore>().toExtend<SyncCloudIpStoreFactory>();
    expectTypeOf<Parameters<SyncCloudIpStoreFactory>[0]>().toEqualTypeOf<SyncRedisHandlerProtocol>();
  });
});

describe('the generated in-memory store at run time', () => {
  it('answers synchronously: values, not promises, and the TTL still applies', () => {
    let now = 0;
    const store = new GeneratedInMemoryStore({ now: () => now });
    const written: unknown = store.set('AWS', ['3.5.140.0/22'], 10);
    expect(written).toBeUndefined();
    const read: unknown = store.get('AWS');
    expect(read).toEqual(new Set(['3.5.140.0/22']));
    now = 10_000;
    expect(store.get('AWS')).toBeNull();
  });
});

describe('no sync signature returns a Promise', () => {
  const project = new Project({
    tsConfigFilePath: path.join(REPO_ROOT, 'tsconfig.json'),
    skipAddingFilesFromTsConfig: true,
  });
  const syncFiles = project.addSourceFilesAtPaths(path.join(REPO_ROOT, 'src/sync/**/*.ts'));
  const asyncProtocol = project.addSourceFileAtPath(path.join(REPO_ROOT, 'src/async/cloud/store-protocol.ts'));

  it('walks every generated module', () => {
    expect(syncFiles.map((f) => path.relative(REPO_ROOT, f.getFilePath()))).toEqual(
      expect.arrayContaining(['src/sync/index.ts', 'src/sync/redis/manager.ts', 'src/sync/cloud/redis-store.ts']),
    );
  });

  it('no exported function, method or function-typed member in src/sync returns a Promise', () => {
    const walks = syncFiles.map((file) => walkExports(file));
    expect(walks.flatMap((w) => w.offenders)).toEqual([]);
    expect(walks.flatMap((w) => w.checked)).toEqual(
      expect.arrayContaining([
        'RedisManager.getKey',
        'RedisManager.initialize',
        'RedisCloudIpStore.get',
        'InMemoryCloudIpStore.set',
        'SyncCloudIpStoreProtocol.clear',
        'SyncCloudIpStoreFactory',
        'SyncRedisHandlerProtocol.deletePattern',
        'SyncRedisConnection.scan',
      ]),
    );
  });

  it('the same walk does flag the async protocol (the check can fail)', () => {
    expect(walkExports(asyncProtocol).offenders).toEqual(
      expect.arrayContaining([
        'src/async/cloud/store-protocol.ts: CloudIpStoreProtocol.get() returns Promise<Set<string> | null>',
      ]),
    );
  });
});

interface Walk {
  /** Every callable looked at, as `Name.member`. */
  readonly checked: string[];
  /** `file: Name.member() returns T` for each one whose result may be a promise (or is `any`). */
  readonly offenders: string[];
}

/** Walks every exported callable of `file` and of its public members with the type checker. */
function walkExports(file: SourceFile): Walk {
  const where = path.relative(REPO_ROOT, file.getFilePath());
  const walk: Walk = { checked: [], offenders: [] };
  for (const [name, declarations] of file.getExportedDeclarations()) {
    for (const declaration of declarations.filter(isSyncLayer)) {
      for (const [member, type] of callables(name, declaration)) {
        const signatures = type.getCallSignatures();
        if (signatures.length > 0) walk.checked.push(member);
        for (const signature of signatures) {
          const result = signature.getReturnType();
          if (isThenable(result, declaration) || result.isAny()) {
            walk.offenders.push(`${where}: ${member}() returns ${result.getText(declaration)}`);
          }
        }
      }
    }
  }
  return walk;
}

/**
 * Declared by the sync layer (generated src/sync, hand-written src/bridge). Re-exports of the
 * shared pure core are left out: e.g. `securityConfigSchema` is a zod schema, with zod's own
 * `parseAsync`.
 */
function isSyncLayer(declaration: Node): boolean {
  const relative = path.relative(REPO_ROOT, declaration.getSourceFile().getFilePath());
  return ['src/sync/', 'src/bridge/', 'src/async/'].some((folder) => relative.startsWith(folder));
}

/** The declaration itself and each of its public members (instance and static), as `[label, type]`. */
function callables(name: string, declaration: Node): Array<[string, Type]> {
  const type = declaration.getType();
  const entries: Array<[string, Type]> = [[name, type]];
  for (const property of type.getProperties()) {
    const member = property.getDeclarations()[0];
    if (member !== undefined && !isHidden(member)) {
      entries.push([`${name}.${property.getName()}`, property.getTypeAtLocation(declaration)]);
    }
  }
  if (Node.isClassDeclaration(declaration)) {
    for (const member of declaration.getStaticMembers()) {
      if (!isHidden(member))
        entries.push([`${name}.${Node.hasName(member) ? member.getName() : '?'}`, member.getType()]);
    }
  }
  return entries;
}

/** Private, protected and `#private` members are not part of the API. */
function isHidden(declaration: Node): boolean {
  if (
    Node.isModifierable(declaration) &&
    (declaration.hasModifier('private') || declaration.hasModifier('protected'))
  ) {
    return true;
  }
  return Node.hasName(declaration) && Node.isPrivateIdentifier(declaration.getNameNode());
}
