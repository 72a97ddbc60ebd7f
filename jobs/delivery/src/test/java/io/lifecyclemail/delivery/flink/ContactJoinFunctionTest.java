package io.lifecyclemail.delivery.flink;

import static io.lifecyclemail.delivery.Commands.cartReminder;
import static io.lifecyclemail.delivery.Commands.line;
import static io.lifecyclemail.delivery.Commands.product;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.AddressedCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContactJoinFunctionTest {
    static final Duration WAIT = Duration.ofMinutes(10);
    static final SendCommand COMMAND = cartReminder("s1", "c1", line(product("tea", "Sencha", 1280), 1));

    KeyedTwoInputStreamOperatorTestHarness<String, SendCommand, CustomerProfile, AddressedCommand> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new ContactJoinFunction(WAIT)),
                SendCommand::getCustomerId, CustomerProfile::getCustomerId, Types.STRING);
        harness.setStateBackend(new HashMapStateBackend());
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static CustomerProfile profile(long time, boolean consent, boolean erased) {
        return CustomerProfile.newBuilder().setEventId("p" + time).setEventTime(Instant.ofEpochMilli(1_000_000 + time))
                .setCustomerId("c1").setEmail("c1@example.com").setName("Emma").setLocale("en-US")
                .setMarketingConsent(consent).setErased(erased).build();
    }

    List<DeliveryResult> results() {
        var side = harness.getSideOutput(ContactJoinFunction.RESULTS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aCommandWaitsForItsProfileThenGoesOutWithTheContact() throws Exception {
        harness.processElement1(new StreamRecord<>(COMMAND));
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement2(new StreamRecord<>(profile(1, true, false)));
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(addressed -> assertThat(addressed.getContact().getEmail()).isEqualTo("c1@example.com"));
    }

    @Test
    void noProfileWithinTheWaitIsNoContact() throws Exception {
        harness.setProcessingTime(0);
        harness.processElement1(new StreamRecord<>(COMMAND));
        harness.setProcessingTime(WAIT.toMillis());
        assertThat(results()).singleElement()
                .satisfies(result -> assertThat(result.getStatus()).isEqualTo(DeliveryStatus.NO_CONTACT));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void consentWithdrawnBeforeSendingSuppressesTheMail() throws Exception {
        harness.processElement2(new StreamRecord<>(profile(1, true, false)));
        harness.processElement2(new StreamRecord<>(profile(2, false, false)));
        harness.processElement1(new StreamRecord<>(COMMAND));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(results()).singleElement()
                .satisfies(result -> assertThat(result.getStatus()).isEqualTo(DeliveryStatus.SUPPRESSED));
    }

    @Test
    void anOlderProfileArrivingLateDoesNotOverwriteANewerOne() throws Exception {
        harness.processElement2(new StreamRecord<>(profile(2, false, false)));
        harness.processElement2(new StreamRecord<>(profile(1, true, false)));
        harness.processElement1(new StreamRecord<>(COMMAND));
        assertThat(results()).singleElement()
                .satisfies(result -> assertThat(result.getStatus()).isEqualTo(DeliveryStatus.SUPPRESSED));
    }

    @Test
    void erasureForgetsTheContact() throws Exception {
        harness.processElement2(new StreamRecord<>(profile(1, true, false)));
        harness.processElement2(new StreamRecord<>(profile(2, true, true)));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }
}
