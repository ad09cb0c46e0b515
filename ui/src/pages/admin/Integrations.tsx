import { ComingSoon } from '../../ds'

export default function IntegrationsPage() {
  return <ComingSoon title="Integrations" summary="Under construction." />
}
