// The release plan the pending changesets make (what `changeset version` would do): no 0.x package
// may go to 1.0.0 unless a changeset asks for a major bump of that very package. Changesets bumps
// a package major when a peer dependency leaves its range, and in 0.x every minor does, so without
// patches/@changesets__assemble-release-plan@6.0.10.patch the next `changeset version` would have
// released @kbot/strategies, @kbot/exchange-kraken and @kbot/learning as 1.0.0. This check fails
// if that patch stops applying (a changesets upgrade, say).
//
// The plan comes from @changesets/get-release-plan, the library `changeset status` and
// `changeset version` use, called without a git ref: it reads every pending changeset and needs no
// branch (`changeset status` needs the base branch, which a CI clone may not have).
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const fromChangesets = createRequire(createRequire(import.meta.url).resolve('@changesets/cli/package.json'));
const getReleasePlan = fromChangesets('@changesets/get-release-plan').default;

const plan = await getReleasePlan(root);
const askedMajor = new Set(plan.changesets.flatMap((changeset) => changeset.releases.filter((release) => release.type === 'major').map((release) => release.name)));
// Packages the plan leaves alone (private ones, `type: none`) have no versions to compare.
const releases = plan.releases.filter((release) => release.type !== 'none');
const problems = releases
  .filter((release) => release.oldVersion.startsWith('0.') && !release.newVersion.startsWith('0.') && !askedMajor.has(release.name))
  .map((release) => `${release.name}: ${release.oldVersion} -> ${release.newVersion} (${release.type}), but no changeset asks for a major bump of it`);
if (problems.length > 0) {
  process.stderr.write(`check-release-plan: the pending changesets would take packages out of 0.x:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
const lines = releases.map((release) => `${release.name} ${release.oldVersion} -> ${release.newVersion}`);
process.stdout.write(`release plan ok (${plan.changesets.length} changesets): ${lines.join(', ') || 'nothing to release'}\n`);
