/** Delivery of alert events from the alerts topic to on-call channels. */
package io.inferpulse.notifier;
