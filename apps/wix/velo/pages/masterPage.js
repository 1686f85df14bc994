// glidepath: the site's master page code (Velo), run on every page. It wires the real Wix APIs
// into the reader in public/glidepath-release.js: it reads the release the edge chose for this
// visitor and shows it in the text element #glidepathRelease when the page has one. Page code
// that needs the flags imports readGlidepath from "public/glidepath-release.js" the same way.
import { readGlidepath } from "public/glidepath-release.js";
import wixData from "wix-data";
import wixLocationFrontend from "wix-location-frontend";

/** The app name of this site in glidepath's config (glidepath:releases). */
const APP = "wix";

$w.onReady(async () => {
  const { release } = await readGlidepath({ wixData, location: wixLocationFrontend, app: APP });
  const label = $w("#glidepathRelease");
  if (release && label && typeof label.text === "string") {
    label.text = `${release.release.version}@${String(release.release.digest).slice(0, 16)} (${release.side})`;
  }
});
