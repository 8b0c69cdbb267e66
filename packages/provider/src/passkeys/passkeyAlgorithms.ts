/**
 * The COSE algorithms a new passkey may use: ES256, EdDSA and RS256. Offered when a passkey is
 * created and required when it is verified. Naming them also keeps SimpleWebAuthn from probing the
 * runtime for post-quantum ML-DSA (`SubtleCrypto.supports`), which prints two ExperimentalWarnings
 * at the first sign-up on Node 24 and 26 that a person running the provider cannot act on.
 */
export const PASSKEY_ALGORITHMS = [-7, -8, -257]
