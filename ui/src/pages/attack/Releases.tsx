import { ComingSoon } from '../../ds'

export default function ReleasesPage() {
  return <ComingSoon title="Releases" summary="Under construction." />
}
