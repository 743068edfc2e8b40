/** Runs the `polett` CLI from source, for tests that spawn it as a user would (`node --import tsx`). */
import { main } from '../src/cli/main.js';

await main(process.argv);
