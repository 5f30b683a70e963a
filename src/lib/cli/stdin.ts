/**
 * The one standard-input reader: secrets (`--management-key-stdin`, `--key-stdin`) and bodies (`--data -`)
 * come in through here, are read to the end and never echoed.
 */
export async function readStdinText(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string))
  return Buffer.concat(chunks).toString('utf8')
}
