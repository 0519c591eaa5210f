// A compile-time check that two types are the same: `true satisfies SameType<A, B>` fails to compile when
// they drift apart (used where a zod schema must describe a domain type exactly).

export type SameType<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
