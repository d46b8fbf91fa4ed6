// Types of scripts/node.mjs, which is plain JavaScript because it must run on an old Node.
export declare const MINIMUM: readonly [number, number];
export declare function meetsMinimum(version: string): boolean;
export declare function resolveNode(): string;
export declare function withCompileCache(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
