package dev.signet.cli;

import dev.signet.core.ledger.ChainVerdict;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "The audit trail.",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand {

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = {
                "Check the audit trail's hash chain and MACs; name the first changed, deleted, reordered or forged row.",
                "Exit 0 when intact, 1 when broken."
            })
    static final class Verify implements Callable<Integer> {
        @Option(names = "--json", description = "Print the verdict as JSON.")
        boolean json;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (AdminCommand.Services s = AdminCommand.open(store, true)) {
                ChainVerdict verdict = s.audit().verify();
                switch (verdict) {
                    case ChainVerdict.Intact ok -> {
                        System.out.println(
                                json
                                        ? "{\"intact\":true,\"entries\":" + ok.entries() + ",\"head\":\""
                                                + ok.headHash() + "\"}"
                                        : "audit chain intact: " + ok.entries() + " entries, head " + ok.headHash());
                        return Main.EXIT_OK;
                    }
                    case ChainVerdict.Broken broken -> {
                        System.out.println(
                                json
                                        ? "{\"intact\":false,\"seq\":" + broken.seq() + ",\"kind\":\""
                                                + broken.kind().name().toLowerCase(java.util.Locale.ROOT)
                                                + "\",\"detail\":\""
                                                + broken.detail().replace("\"", "'") + "\"}"
                                        : "audit chain BROKEN at row " + broken.seq() + " ("
                                                + broken.kind().name().toLowerCase(java.util.Locale.ROOT) + "): "
                                                + broken.detail());
                        return Main.EXIT_FAILED;
                    }
                }
            }
        }
    }
}
