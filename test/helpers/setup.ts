// Runs before every test file: deterministic, colourless, isolated from the developer's own config.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

process.env.NO_COLOR = '1'
process.env.COLUMNS = '120'
delete process.env.FORCE_COLOR
for (const name of ['CPA_URL', 'CPA_MANAGEMENT_KEY', 'CPACTL_MANAGEMENT_KEY', 'CPA_MANAGEMENT_KEY_FILE', 'CPACTL_PROFILE', 'CPACTL_STORE', 'CPACTL_TZ', 'CPACTL_CONTENT_TYPE']) {
  delete process.env[name]
}
const base = mkdtempSync(join(tmpdir(), 'cpactl-test-'))
process.env.CPACTL_CONFIG_DIR = join(base, 'config')
process.env.CPACTL_DATA_DIR = join(base, 'data')
process.env.CPACTL_CACHE_DIR = join(base, 'cache')
