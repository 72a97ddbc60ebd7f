package io.lifecyclemail.common.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The type of a value Flink treats as one opaque field: not a key, not a tuple, no fields of its own
 * to select. What a type of this package's serializers leaves to be said is its class and serializer.
 */
abstract class OpaqueTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public final boolean isBasicType() {
        return false;
    }

    @Override
    public final boolean isTupleType() {
        return false;
    }

    @Override
    public final int getArity() {
        return 1;
    }

    @Override
    public final int getTotalFields() {
        return 1;
    }

    @Override
    public final boolean isKeyType() {
        return false;
    }
}
