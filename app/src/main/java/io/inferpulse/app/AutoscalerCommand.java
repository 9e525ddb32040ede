package io.inferpulse.app;

import picocli.CommandLine.Command;

@Command(name = "autoscaler", mixinStandardHelpOptions = true,
        description = "Autoscaling of InferencePools: the external metrics API HPA reads, HPAs per pool, what-if replays.",
        subcommands = {MetricsApiCommand.class, HpaCommand.class, HpaReconcilerCommand.class, HpaLintCommand.class,
                WhatIfCommand.class})
final class AutoscalerCommand {
}
