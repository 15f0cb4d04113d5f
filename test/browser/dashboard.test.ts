// The dashboard in a real browser: Debian's chromium driven by playwright-core opens GET / of a live
// server seeded with real (tiny) training + conversion jobs and a sweep, waits for the comparison
// chart and the sweep's heat map to be drawn with data, and saves a screenshot. Skipped, saying so, only where /usr/bin/chromium is
// absent (CI installs it).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { seed, seedSegmentation, startLiveServer, type LiveServer } from '../client/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT_DIR = process.env.SPIKELAB_SCREENSHOTS ?? join(process.cwd(), 'dist', 'screenshots');
const haveChromium = existsSync(CHROMIUM);
// CI (.ci/run) sets SPIKELAB_REQUIRE_BROWSER: there a missing chromium is a failure, not a skip
const required = Boolean(process.env.SPIKELAB_REQUIRE_BROWSER);
if (!haveChromium && !required) console.warn(`browser test skipped: ${CHROMIUM} is absent (apt-get install chromium)`);
const maybe = haveChromium || required ? describe : describe.skip;

maybe('dashboard in chromium', () => {
  let live: LiveServer;
  let profile: string;

  beforeAll(async () => {
    live = await startLiveServer();
    const { datasetId, runs } = await seed(live.client);
    await seedSegmentation(live.client);
    // an imported ONNX model beside the zoo backbones: the plain backbone's ANN exported, imported again
    const file = join(live.dir, 'ann.onnx');
    await live.client.exportAnn(runs[0]!.checkpointId, file);
    const onnx = await live.client.uploadOnnxModel('plain-onnx', file);
    await live.client.convert({ checkpointId: onnx.id, datasetId, config: { timeSteps: 16, batchSize: 16 } });
    // a sweep: Γ 5 at T 16 is the seeded conversion of plain-tiny (reused: cached); Γ 1 is computed by one sweep job
    const sweep = await live.client.runSweep({ checkpointIds: [runs[0]!.checkpointId], datasetId, axes: { gamma: [1, 5], timeSteps: [16], batchSize: [16] } });
    if (sweep.cachedPoints !== 1 || sweep.pointsDone !== 2) throw new Error(`unexpected seed sweep: ${JSON.stringify(sweep)}`);
    profile = mkdtempSync(join(tmpdir(), 'spikelab-chromium-'));
  });
  afterAll(async () => {
    await live?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('draws the comparison chart with data, lists jobs and runs, loads nothing from elsewhere', async () => {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 1400 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const foreign: string[] = [];
      const errors: string[] = [];
      page.on('request', (req) => {
        if (!req.url().startsWith(live.base)) foreign.push(req.url());
      });
      page.on('pageerror', (err) => errors.push(err.message));
      const res = await page.goto(`${live.base}/`);
      expect(res?.status()).toBe(200);
      await page.waitForSelector('#chart[data-drawn="true"] svg', { timeout: 30_000 });
      // four runs (plain-tiny at Γ 5 and, from the sweep, Γ 1; residual-tiny; plain-onnx imported from ONNX) × 16 steps, drawn as line points in the SVG
      expect(Number(await page.getAttribute('#chart', 'data-points'))).toBe(64);
      expect(await page.locator('#chart svg path').count()).toBeGreaterThan(2);
      const legend = (await page.locator('#chart svg').textContent()) ?? '';
      for (const name of ['plain-tiny', 'residual-tiny', 'plain-onnx']) expect(legend).toContain(name);
      expect(await page.locator('#bars svg').count()).toBe(1);
      await page.waitForSelector('#jobs td:has-text("SUCCEEDED")');
      expect(await page.locator('#jobs tr').count()).toBe(1 + 8);
      expect(await page.locator('#runs tr').count()).toBe(1 + 5);
      await page.waitForSelector('#models td:has-text("plain-onnx")');
      expect(await page.locator('#models tr:has-text("plain-onnx") td').nth(1).textContent()).toBe('onnx');
      // the imported model's run downloads its SNN as an ONNX file (fetched with the token, saved as a blob)
      const onnxRun = page.locator('#runs tr:has-text("plain-onnx")');
      expect(await onnxRun.locator('td').nth(2).textContent()).toBe('onnx');
      const [download] = await Promise.all([page.waitForEvent('download'), onnxRun.locator('a.download').click()]);
      expect(download.suggestedFilename()).toMatch(/^conversion-run-\d+-snn\.onnx$/);
      const saved = join(profile, 'snn.onnx');
      await download.saveAs(saved);
      expect(statSync(saved).size).toBeGreaterThan(1000);
      // the sweep as a heat map: one row (plain-tiny), columns Γ = 1, 5, both cells drawn
      await page.waitForSelector('#heatmap[data-drawn="true"] svg', { timeout: 30_000 });
      expect(await page.getAttribute('#heatmap', 'data-cells')).toBe('2');
      const heat = (await page.locator('#heatmap svg').textContent()) ?? '';
      expect(heat).toMatch(/plain-tiny/);
      expect(heat).toMatch(/gamma/);
      expect(await page.locator('#heatmap svg path').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('#sweeps tr').count()).toBe(1 + 1);
      // the segmentation run's panels: 3 samples × (image, label, ANN, SNN)
      await page.waitForSelector('#panels canvas');
      expect(await page.getAttribute('#panels', 'data-panels')).toBe('3');
      expect(await page.locator('#panels canvas').count()).toBe(12);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const shot = join(SCREENSHOT_DIR, 'dashboard.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
