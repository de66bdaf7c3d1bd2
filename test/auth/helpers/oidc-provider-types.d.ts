// oidc-provider ships no type declarations; the tests use a small part of it, untyped.
declare module 'oidc-provider';
