package dev.signet.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataKeyTest {
    @Test
    void constructorWhenCallerChangesArrayAfterwardsThenMaterialUnchanged() {
        byte[] raw = new byte[32];
        Arrays.fill(raw, (byte) 7);
        DataKey key = new DataKey("dk-1", raw);

        raw[0] = 0;

        assertThat(key.material()[0]).isEqualTo((byte) 7);
    }

    @Test
    void materialWhenReturnedArrayChangedThenKeyUnchanged() {
        DataKey key = DataKey.generate("dk-1");
        byte[] before = key.material();

        key.material()[0] ^= 1;

        assertThat(key.material()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 31, 33})
    void constructorWhenNot32BytesThenIllegalArgument(int length) {
        assertThatThrownBy(() -> new DataKey("dk-1", new byte[length])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructorWhenIdNullThenNullPointer() {
        assertThatThrownBy(() -> new DataKey(null, new byte[32])).isInstanceOf(NullPointerException.class);
    }

    @Test
    void toStringWhenCalledThenIdButNoMaterial() {
        byte[] raw = new byte[32];
        Arrays.fill(raw, (byte) 0x42);
        DataKey key = new DataKey("dk-1", raw);

        assertThat(key.toString())
                .contains("dk-1")
                .doesNotContain("4242")
                .doesNotContain("QkJC")
                .doesNotContain("66, 66")
                .doesNotContain("[B@");
    }

    @Test
    void equalsWhenSameIdAndMaterialThenEqual() {
        DataKey key = DataKey.generate("dk-1");

        assertThat(new DataKey("dk-1", key.material())).isEqualTo(key).hasSameHashCodeAs(key);
        assertThat(new DataKey("dk-2", key.material())).isNotEqualTo(key);
        assertThat(DataKey.generate("dk-1")).isNotEqualTo(key);
    }
}
