package io.inferpulse.app;

import io.inferpulse.runtime.config.ConfigReference;

/**
 * A command that runs from declared settings (it takes {@link ServiceOptions}): {@code --help-config}
 * prints them and docs/configuration.md lists them.
 */
interface ServiceCommand {
    ConfigReference settings();
}
