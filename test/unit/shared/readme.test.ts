import { readFileSync } from 'node:fs';
import { README_PATH, renderReadme } from '../../../scripts/readme-tables';

it('README reference tables match the code (run `npm run docs` after changing routes or events)', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  expect(renderReadme(readme)).toBe(readme);
});
