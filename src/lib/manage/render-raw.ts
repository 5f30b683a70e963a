/** File content (auth-file JSON, log files) to standard output, through the output layer. */
import {writeRaw} from '../cli/output.js'

export function renderRaw(data: Buffer): void {
  writeRaw(data)
}
