/** The usage pipeline's pure parts: record types, normalisation, token semantics, event hash, masking, redaction. */
export * from './types.js'
export {createNormalizer, utf8Text, type Normalizer} from './normalize.js'
export {deriveBuckets, tokenFamily, type TokenFamily} from './tokens.js'
export {eventHash, canonicalTuple, EVENT_HASH_BYTES} from './hash.js'
export {hashApiKey, isSha256Hex, looksSecret, maskSecret, maskSource, sha256Hex} from './mask.js'
export {redactFailBody, redactPayload, scrubSecrets, truncateUtf8, FAIL_SUMMARY_MAX_BYTES} from './redact.js'
export {parseTimestamp} from './timestamp.js'
