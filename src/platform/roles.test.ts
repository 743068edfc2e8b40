import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { can, canAssignRole, PERMISSIONS, renderRolesTable, ROLES, scopesAllow, type Role } from './roles.js';

/** A Markdown table's cells, trimmed, without its alignment row. */
function tableCells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .filter((line) => !/^\|[\s:|-]+\|$/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('the roles table', () => {
  it('is the table the README shows', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const match = /<!-- roles-table:start -->\s*\n([\s\S]*?)\n\s*<!-- roles-table:end -->/.exec(readme);
    expect(
      match,
      'README.md needs the roles table between <!-- roles-table:start --> and <!-- roles-table:end -->',
    ).not.toBeNull();
    // Compared cell by cell: Prettier pads the README's columns, the generated table does not.
    expect(tableCells(match![1]!)).toEqual(tableCells(renderRolesTable()));
  });

  it('gives each role at least what the role below it has', () => {
    const within: Array<[Role, Role]> = [
      ['admin', 'owner'],
      ['editor', 'admin'],
      ['agent', 'admin'],
      ['viewer', 'editor'],
      ['viewer', 'agent'],
    ];
    for (const [lower, higher] of within)
      for (const permission of PERMISSIONS)
        if (can(lower, permission)) expect(can(higher, permission)).toBe(true);
    for (const role of ROLES) expect(can(role, 'read')).toBe(true);
    expect(can('viewer', 'inbox.reply')).toBe(false);
    expect(can('agent', 'inbox.reply')).toBe(true);
    expect(can('agent', 'content.write')).toBe(false);
  });

  it('lets only an owner grant the owner role, and scopes map to permissions', () => {
    expect(canAssignRole('owner', 'owner')).toBe(true);
    expect(canAssignRole('admin', 'owner')).toBe(false);
    expect(canAssignRole('admin', 'editor')).toBe(true);
    expect(canAssignRole('editor', 'viewer')).toBe(false);
    expect(scopesAllow(['inference'], 'read')).toBe(false);
    expect(scopesAllow(['read'], 'read')).toBe(true);
    expect(scopesAllow(['write'], 'keys.manage')).toBe(false);
    expect(scopesAllow(['admin'], 'keys.manage')).toBe(true);
    expect(scopesAllow(['nonsense'], 'read')).toBe(false);
  });
});
