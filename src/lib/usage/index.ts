/**
 * The usage pipeline's entry points for the store's ingest: record types, normalisation, the event hash and
 * payload redaction. The other pure parts (token semantics, masking, timestamps) are imported from their modules.
 */
export * from './types.js'
export {createNormalizer, payloadText, type Normalizer} from './normalize.js'
export {eventHash} from './hash.js'
export {redactPayload} from './redact.js'
