import { ComingSoon } from '../../ds'

export default function TestsPage() {
  return <ComingSoon title="Tests" summary="Under construction." />
}
