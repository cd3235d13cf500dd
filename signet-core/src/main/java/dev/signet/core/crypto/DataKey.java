package dev.signet.core.crypto;

import java.util.Objects;

/**
 * An AES-256 data key and its id. The id is public and stored beside every ciphertext the key
 * made; the material never leaves memory unwrapped.
 */
public record DataKey(String id, byte[] material) {
    public DataKey {
        Objects.requireNonNull(id, "id");
        if (material == null || material.length != Aead.KEY_BYTES) {
            throw new IllegalArgumentException("a data key is 32 bytes");
        }
        material = material.clone();
    }

    public static DataKey generate(String id) {
        return new DataKey(id, Secure.randomBytes(Aead.KEY_BYTES));
    }

    @Override
    public byte[] material() {
        return material.clone();
    }

    @Override
    public String toString() {
        return "DataKey[id=" + id + ", material=redacted]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataKey other && id.equals(other.id) && Secure.constantTimeEquals(material, other.material);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }
}
