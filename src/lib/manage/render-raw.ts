/** File content (auth-file JSON, log files) to standard output, through the output layer. */
import {writeOut} from '../cli/output.js'

export function renderRaw(data: Buffer): void {
  writeOut(data.toString('utf8'))
}
