package io.lifecyclemail.delivery.flink;

import static io.lifecyclemail.delivery.Commands.cartReminder;
import static io.lifecyclemail.delivery.Commands.line;
import static io.lifecyclemail.delivery.Commands.product;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.delivery.DeliveryPipeline;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.AddressedCommand;
import io.lifecyclemail.state.ContactUpdate;
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

    KeyedTwoInputStreamOperatorTestHarness<String, SendCommand, ContactUpdate, AddressedCommand> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new ContactJoinFunction(WAIT)),
                SendCommand::getCustomerId, DeliveryPipeline::customerOf, Types.STRING);
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

    static StreamRecord<ContactUpdate> update(Object profileOrEngagement) {
        return new StreamRecord<>(new ContactUpdate(profileOrEngagement));
    }

    static EngagementEvent engagement(long time, EngagementType type) {
        return EngagementEvent.newBuilder().setEventId("g" + time).setEventTime(Instant.ofEpochMilli(1_000_000 + time))
                .setCustomerId("c1").setSendId("earlier-send").setScenarioId("cart-abandonment").setType(type).build();
    }

    static SendCommand transactional() {
        return SendCommand.newBuilder(COMMAND).setSendId("s-shipped").setTransactional(true).build();
    }

    List<DeliveryResult> results() {
        var side = harness.getSideOutput(ContactJoinFunction.RESULTS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aCommandWaitsForItsProfileThenGoesOutWithTheContact() throws Exception {
        harness.processElement1(new StreamRecord<>(COMMAND));
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement2(update(profile(1, true, false)));
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
        harness.processElement2(update(profile(1, true, false)));
        harness.processElement2(update(profile(2, false, false)));
        harness.processElement1(new StreamRecord<>(COMMAND));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(results()).singleElement()
                .satisfies(result -> assertThat(result.getStatus()).isEqualTo(DeliveryStatus.SUPPRESSED));
    }

    @Test
    void anOlderProfileArrivingLateDoesNotOverwriteANewerOne() throws Exception {
        harness.processElement2(update(profile(2, false, false)));
        harness.processElement2(update(profile(1, true, false)));
        harness.processElement1(new StreamRecord<>(COMMAND));
        assertThat(results()).singleElement()
                .satisfies(result -> assertThat(result.getStatus()).isEqualTo(DeliveryStatus.SUPPRESSED));
    }

    @Test
    void anUnsubscribeSinceTheDecisionSuppressesMarketingButNotTransactionalMail() throws Exception {
        harness.processElement2(update(profile(1, true, false)));
        harness.processElement2(update(engagement(2, EngagementType.OPENED)));
        harness.processElement2(update(engagement(3, EngagementType.UNSUBSCRIBED)));
        harness.processElement1(new StreamRecord<>(COMMAND));
        harness.processElement1(new StreamRecord<>(transactional()));
        assertThat(results()).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).isEqualTo(DeliveryStatus.SUPPRESSED);
            assertThat(result.getDetail()).contains("unsubscribed", "g3");
        });
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(addressed -> assertThat(addressed.getCommand().getSendId()).isEqualTo("s-shipped"));
    }

    @Test
    void aHardBounceStopsTransactionalMailToo() throws Exception {
        harness.processElement2(update(engagement(1, EngagementType.BOUNCED)));
        harness.processElement2(update(profile(2, true, false)));
        harness.processElement1(new StreamRecord<>(transactional()));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(results()).singleElement()
                .satisfies(result -> assertThat(result.getStatus()).isEqualTo(DeliveryStatus.SUPPRESSED));
    }

    @Test
    void onlyAConsentGivenAfterTheUnsubscribeLiftsIt() throws Exception {
        harness.processElement2(update(engagement(5, EngagementType.UNSUBSCRIBED)));
        CustomerProfile staleConsent = CustomerProfile.newBuilder(profile(6, true, false))
                .setConsentTime(Instant.ofEpochMilli(1_000_000 + 4)).build();
        harness.processElement2(update(staleConsent));
        harness.processElement1(new StreamRecord<>(COMMAND));
        assertThat(results()).hasSize(1);
        CustomerProfile optedInAgain = CustomerProfile.newBuilder(profile(8, true, false))
                .setConsentTime(Instant.ofEpochMilli(1_000_000 + 7)).build();
        harness.processElement2(update(optedInAgain));
        harness.processElement1(new StreamRecord<>(SendCommand.newBuilder(COMMAND).setSendId("s2").build()));
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(addressed -> assertThat(addressed.getCommand().getSendId()).isEqualTo("s2"));
    }

    @Test
    void erasureForgetsTheContact() throws Exception {
        harness.processElement2(update(profile(1, true, false)));
        harness.processElement2(update(profile(2, true, true)));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }
}
