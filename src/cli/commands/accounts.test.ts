import { afterEach, describe, expect, it } from 'vitest';
import { buildDataDir } from '../../../test-support/builders.js';
import { createOwner, listWorkspaces } from './accounts.js';

let remove: (() => void) | undefined;
afterEach(() => remove?.());

describe('polett users create-owner and polett workspaces list', () => {
  it('creates the owner once and lists the workspace', async () => {
    const folder = buildDataDir();
    remove = folder.remove;
    const options = { email: 'owner@example.se', name: 'Olle Ägare', workspace: 'Exempel AB', locale: 'en' };
    const { workspace } = await createOwner(options, 'ett långt lösenord', folder.dataDir);
    await expect(createOwner(options, 'ett långt lösenord', folder.dataDir)).rejects.toMatchObject({
      code: 'setup_done',
    });
    expect(await listWorkspaces(folder.dataDir)).toEqual([
      {
        id: workspace.id,
        slug: 'exempel-ab',
        name: 'Exempel AB',
        members: 1,
        owners: ['owner@example.se'],
        conversationRetentionDays: null,
        feedbackRetentionDays: null,
      },
    ]);
  });

  it('refuses a language it does not know', async () => {
    const folder = buildDataDir();
    remove = folder.remove;
    await expect(
      createOwner(
        { email: 'o@example.se', name: 'O', workspace: 'W', locale: 'de' },
        'ett långt lösenord',
        folder.dataDir,
      ),
    ).rejects.toMatchObject({ code: 'invalid_option', field: 'locale' });
  });
});
