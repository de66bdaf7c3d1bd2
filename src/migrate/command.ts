export function migrateCommand(_argv: string[]): number { return 2; }
