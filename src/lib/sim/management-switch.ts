import {type AuthPolicy, verifySecret} from './auth.js'
import type {ConfigState} from './config-state.js'
import type {UsageHub} from './queue.js'

/**
 * Whether management, and with it the usage queue, is on: the simulator's switch and a non-empty
 * `remote-management.secret-key`. Management becoming disabled drops the queue and all subscribers, as the gateway does.
 */
export class ManagementSwitch {
  private flag: boolean

  /**
   * Every config change is a reload: `onReload` runs after each one (usage subscribers get {"refresh":true});
   * removing the secret key disables management.
   */
  constructor(
    private readonly config: ConfigState,
    private readonly hub: UsageHub,
    enabled: boolean,
    onReload: () => void,
  ) {
    this.flag = enabled
    let wasEnabled = this.enabled()
    config.onChange(() => {
      const now = this.enabled()
      if (wasEnabled && !now) hub.reset()
      wasEnabled = now
      onReload()
    })
  }

  enabled(): boolean {
    return this.flag && this.config.secretKey() !== ''
  }

  setEnabled(enabled: boolean): void {
    const was = this.enabled()
    this.flag = enabled
    if (was && !this.enabled()) this.hub.reset()
  }

  /** What the management key check needs: remote access allowed, a secret set, the key verified against it. */
  authPolicy(): AuthPolicy {
    const secret = this.config.secretKey()
    return {
      allowRemote: this.config.allowRemote(),
      secretSet: secret !== '',
      verify: key => verifySecret(secret, key),
    }
  }
}
