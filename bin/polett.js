#!/usr/bin/env node
// The `polett` command. The compiled CLI lives in dist/ (built by `npm install` through `prepare`).
import('../dist/cli/main.js')
  .then((cli) => cli.main(process.argv))
  .catch((error) => {
    if (
      error &&
      error.code === 'ERR_MODULE_NOT_FOUND' &&
      String(error.message).includes('dist/cli/main.js')
    ) {
      console.error('Polett is not built yet: run `npm install` (or `npm run build`) in its folder first.');
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  });
